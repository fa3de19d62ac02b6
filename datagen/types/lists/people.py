"""People lists: race categories, universities, professional skills, gender identities.

Race names follow the US Census Bureau's detailed race and origin categories (a US
government work, public domain). University names are facts. The skills are our own list of
common profession and tool names. The gender identities are the options Facebook offered
for its custom gender field in 2014, widely reported terms.
"""

from __future__ import annotations

__all__ = ["FACEBOOK_GENDERS", "RACES", "SKILLS", "UNIVERSITIES"]

RACES: tuple[str, ...] = (
    "White", "Black or African American", "American Indian and Alaska Native", "Asian Indian",
    "Bangladeshi", "Cambodian", "Chinese", "Filipino", "Hmong", "Indonesian", "Japanese",
    "Korean", "Laotian", "Malaysian", "Pakistani", "Sri Lankan", "Taiwanese", "Thai",
    "Vietnamese", "Native Hawaiian", "Samoan", "Guamanian or Chamorro", "Tongan", "Fijian",
    "Marshallese", "Mexican", "Puerto Rican", "Cuban", "Dominican", "Salvadoran", "Guatemalan",
    "Honduran", "Colombian", "Ecuadorian", "Peruvian", "Venezuelan", "Argentinian", "Navajo",
    "Cherokee", "Sioux", "Chippewa", "Apache", "Pueblo", "Iroquois", "Lumbee", "Choctaw",
    "Alaskan Athabascan", "Yup'ik", "Inupiat", "Tlingit-Haida", "Aleut",
    "Other Pacific Islander", "Two or more races",
)  # fmt: skip

UNIVERSITIES: tuple[str, ...] = (
    "Harvard University", "Stanford University", "Massachusetts Institute of Technology",
    "University of California, Berkeley", "University of California, Los Angeles",
    "Princeton University", "Yale University", "Columbia University", "University of Chicago",
    "University of Pennsylvania", "Cornell University", "Duke University",
    "Johns Hopkins University", "Northwestern University", "University of Michigan",
    "New York University", "University of Washington", "University of Texas at Austin",
    "Georgia Institute of Technology", "University of Wisconsin-Madison",
    "University of Illinois Urbana-Champaign", "Ohio State University",
    "Pennsylvania State University", "Purdue University", "University of Florida",
    "Arizona State University", "Boston University", "Rice University",
    "Carnegie Mellon University",
    "University of Southern California", "University of Toronto", "McGill University",
    "University of British Columbia", "University of Oxford", "University of Cambridge",
    "Imperial College London", "University College London", "University of Edinburgh",
    "King's College London", "ETH Zurich", "EPFL", "Sorbonne University",
    "Heidelberg University", "Technical University of Munich", "KU Leuven",
    "University of Amsterdam", "Delft University of Technology", "University of Copenhagen",
    "Karolinska Institute", "University of Helsinki", "University of Oslo",
    "University of Vienna", "University of Barcelona", "University of Bologna",
    "Trinity College Dublin", "University of Tokyo", "Kyoto University",
    "Seoul National University", "Peking University", "Tsinghua University",
    "National University of Singapore", "University of Hong Kong",
    "Indian Institute of Technology Bombay", "University of Melbourne", "University of Sydney",
    "Australian National University", "University of Auckland", "University of Cape Town",
    "University of São Paulo", "National Autonomous University of Mexico",
    "University of Buenos Aires",
)  # fmt: skip

SKILLS: tuple[str, ...] = (
    "Accounting", "Agile Methodologies", "Budgeting", "Business Analysis", "Business Strategy",
    "C++", "Change Management", "Cloud Computing", "Coaching", "Communication",
    "Contract Negotiation",
    "Customer Service", "Data Analysis", "Data Visualization", "Databases", "Digital Marketing",
    "Docker", "Event Planning", "Financial Analysis", "Financial Modeling", "Git",
    "Graphic Design", "Healthcare Management", "Human Resources", "Java", "JavaScript",
    "Kubernetes", "Leadership", "Lean Manufacturing", "Linux", "Machine Learning",
    "Market Research", "Marketing Strategy", "Microsoft Excel", "Microsoft Office",
    "Negotiation", "Networking", "Nursing", "Operations Management", "Photography",
    "Product Management", "Project Management", "Public Relations", "Public Speaking",
    "Python", "Quality Assurance", "Recruiting", "Research", "Risk Management", "Sales",
    "Sales Management", "Social Media", "Software Development", "SQL", "Strategic Planning",
    "Supply Chain Management", "Teaching", "Team Building", "Technical Writing", "Training",
    "UX Design", "Video Editing", "Web Development", "Writing",
)  # fmt: skip

FACEBOOK_GENDERS: tuple[str, ...] = (
    "Agender", "Androgyne", "Androgynous", "Bigender", "Cis", "Cis Female", "Cis Male",
    "Cis Man", "Cis Woman", "Cisgender", "Cisgender Female", "Cisgender Male", "Cisgender Man",
    "Cisgender Woman", "Female to Male", "FTM", "Gender Fluid", "Gender Nonconforming",
    "Gender Questioning", "Gender Variant", "Genderqueer", "Intersex", "Male to Female", "MTF",
    "Neither", "Neutrois", "Non-binary", "Other", "Pangender", "Trans", "Trans Female",
    "Trans Male", "Trans Man", "Trans Person", "Trans Woman", "Transfeminine", "Transgender",
    "Transgender Female", "Transgender Male", "Transgender Man", "Transgender Person",
    "Transgender Woman", "Transmasculine", "Transsexual", "Two-Spirit",
)  # fmt: skip
