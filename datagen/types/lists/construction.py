"""Construction lists: equipment, materials, roles, trades, subcontract categories and cost codes.

Plain trade vocabulary, our own selection; the cost-code divisions use the generic division
titles common to construction specifications, with line items written by us.
"""

from __future__ import annotations

__all__ = ["COST_CODES", "EQUIPMENT", "MATERIALS", "ROLES", "SUBCONTRACTS", "TRADES"]

EQUIPMENT: tuple[str, ...] = (
    "Backhoe", "Boom Lift", "Bulldozer", "Compactor", "Concrete Mixer", "Crawler Crane",
    "Dragline", "Dump Truck", "Excavator", "Forklift", "Grader", "Loader", "Paver",
    "Pile Driver", "Roller", "Scissor Lift", "Scraper", "Skid-Steer", "Telehandler",
    "Tower Crane", "Trencher",
)  # fmt: skip
MATERIALS: tuple[str, ...] = (
    "Aluminum", "Asphalt", "Brass", "Brick", "Clay", "Concrete", "Copper", "Glass", "Granite",
    "Gypsum", "Limestone", "Marble", "Plastic", "Plexiglass", "Rubber", "Steel", "Stone",
    "Vinyl", "Wood",
)  # fmt: skip
ROLES: tuple[str, ...] = (
    "Architect", "Construction Expeditor", "Construction Foreman", "Construction Manager",
    "Construction Worker", "Electrician", "Engineer", "Estimator", "Project Manager",
    "Safety Officer", "Site Engineer", "Subcontractor", "Supervisor", "Surveyor",
)  # fmt: skip
TRADES: tuple[str, ...] = (
    "Boilermaker", "Bricklayer", "Carpenter", "Cement Mason", "Drywall Installer",
    "Electrician", "Elevator Installer", "Equipment Operator", "Glazier", "HVAC Technician",
    "Insulation Worker", "Ironworker", "Laborer", "Millwright", "Painter", "Pipefitter",
    "Plasterer", "Plumber", "Roofer", "Sheet Metal Worker", "Stucco Mason", "Tile Setter",
    "Welder",
)  # fmt: skip
SUBCONTRACTS: tuple[str, ...] = (
    "Asphalt Paving", "Casework", "Curb & Gutter", "Doors, Frames & Hardware",
    "Drywall & Acoustical", "EIFS", "Electrical", "Elevator", "Epoxy Flooring",
    "Exterior Signage", "Fire Protection", "Fire Sprinkler System", "Framing (Steel)",
    "Framing (Wood)", "Glass & Glazing", "Hard Tile & Stone", "HVAC", "Landscaping & Irrigation",
    "Masonry", "Masonry & Precast", "Overhead Doors", "Painting & Vinyl Wall Covering",
    "Plumbing & Medical Gas", "Rebar & Wire Mesh Install", "Roofing (Asphalt)",
    "Roofing (Metal)", "Site Furnishings", "Sitework & Site Utilities",
    "Soft Flooring and Base", "Structural & Misc Steel Erection", "Waterproofing & Caulking",
)  # fmt: skip

# (division, title, line items)
_DIVISIONS: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    ("01", "General Requirements", ("Temporary Facilities", "Temporary Water", "Scaffolding",
                                    "Site Security", "Final Cleaning")),
    ("02", "Existing Conditions", ("Site Survey", "Selective Demolition", "Hazardous Materials")),
    ("03", "Concrete", ("Concrete Forming", "Reinforcing Steel", "Cast-in-Place Concrete",
                        "Precast Concrete")),
    ("04", "Masonry", ("Unit Masonry", "Stone Assemblies")),
    ("05", "Metals", ("Structural Steel Framing", "Metal Decking", "Metal Fabrications")),
    ("06", "Wood, Plastics, and Composites", ("Rough Carpentry", "Finish Carpentry",
                                              "Architectural Woodwork")),
    ("07", "Thermal and Moisture Protection", ("Waterproofing", "Insulation", "Roofing",
                                               "Joint Sealants")),
    ("08", "Openings", ("Doors and Frames", "Windows", "Door Hardware", "Glazing")),
    ("09", "Finishes", ("Gypsum Board", "Tiling", "Acoustical Ceilings", "Flooring", "Painting")),
    ("10", "Specialties", ("Signage", "Toilet Accessories", "Fire Extinguishers")),
    ("21", "Fire Suppression", ("Sprinkler Systems", "Standpipes")),
    ("22", "Plumbing", ("Plumbing Piping", "Plumbing Fixtures", "Water Heaters")),
    ("23", "HVAC", ("Ductwork", "Air Handling Units", "HVAC Controls")),
    ("26", "Electrical", ("Wiring", "Lighting", "Switchboards", "Electrical Grounding")),
    ("31", "Earthwork", ("Clearing and Grubbing", "Excavation and Fill", "Erosion Control")),
    ("32", "Exterior Improvements", ("Asphalt Paving", "Fences and Gates", "Planting")),
    ("33", "Utilities", ("Water Utilities", "Sanitary Sewerage", "Storm Drainage")),
)  # fmt: skip

COST_CODES: tuple[str, ...] = tuple(
    f"{division}-{100 * (i + 1):03d} - {item}"
    for division, _, items in _DIVISIONS
    for i, item in enumerate(items)
)
