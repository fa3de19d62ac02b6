"""Business lists: listed stocks, fake brand-name parts, shirt sizes, products, movies.

Stock listings are public facts (ticker, company, exchange), hand-picked; the sector and
industry labels are ours, in the style of the exchanges' own classifications. The syllables
for fake company and app names, the product phrases and the movie genres are ours; movie
titles are the names of well-known films, which are facts.
"""

from __future__ import annotations

__all__ = [
           "APP_HEADS",
           "APP_TAILS",
           "BRAND_HEADS",
           "BRAND_TAILS",
           "MOVIES",
           "MOVIE_GENRES",
           "PRODUCT_FEATURES",
           "PRODUCT_SUBCATEGORIES",
           "SHIRT_SIZES",
           "STOCKS",
]  # fmt: skip

# (symbol, name, market, sector, industry)
STOCKS: tuple[tuple[str, str, str, str, str], ...] = (
    ("AAPL", "Apple Inc.", "NASDAQ", "Technology", "Computer Manufacturing"),
    ("ABT", "Abbott Laboratories", "NYSE", "Health Care", "Medical Devices"),
    ("ADBE", "Adobe Inc.", "NASDAQ", "Technology", "Computer Software: Prepackaged Software"),
    ("AMD", "Advanced Micro Devices, Inc.", "NASDAQ", "Technology", "Semiconductors"),
    ("AMZN", "Amazon.com, Inc.", "NASDAQ", "Consumer Discretionary",
     "Catalog/Specialty Distribution"),
    ("BA", "The Boeing Company", "NYSE", "Industrials", "Aerospace"),
    ("BAC", "Bank of America Corporation", "NYSE", "Finance", "Major Banks"),
    ("BRK.B", "Berkshire Hathaway Inc.", "NYSE", "Finance", "Property-Casualty Insurers"),
    ("C", "Citigroup Inc.", "NYSE", "Finance", "Major Banks"),
    ("CAT", "Caterpillar Inc.", "NYSE", "Industrials", "Construction/Ag Equipment/Trucks"),
    ("COST", "Costco Wholesale Corporation", "NASDAQ", "Consumer Staples",
     "Department/Specialty Retail Stores"),
    ("CSCO", "Cisco Systems, Inc.", "NASDAQ", "Technology", "Computer Communications Equipment"),
    ("CVX", "Chevron Corporation", "NYSE", "Energy", "Integrated oil Companies"),
    ("DIS", "The Walt Disney Company", "NYSE", "Consumer Discretionary",
     "Services-Misc. Amusement & Recreation"),
    ("F", "Ford Motor Company", "NYSE", "Consumer Discretionary", "Auto Manufacturing"),
    ("GE", "GE Aerospace", "NYSE", "Industrials", "Aerospace"),
    ("GOOGL", "Alphabet Inc.", "NASDAQ", "Technology",
     "Computer Software: Programming, Data Processing"),
    ("GS", "The Goldman Sachs Group, Inc.", "NYSE", "Finance", "Investment Bankers/Brokers"),
    ("HD", "The Home Depot, Inc.", "NYSE", "Consumer Discretionary", "Home Improvement Chains"),
    ("IBM", "International Business Machines Corporation", "NYSE", "Technology",
     "Computer Manufacturing"),
    ("INTC", "Intel Corporation", "NASDAQ", "Technology", "Semiconductors"),
    ("JNJ", "Johnson & Johnson", "NYSE", "Health Care", "Pharmaceuticals"),
    ("JPM", "JPMorgan Chase & Co.", "NYSE", "Finance", "Major Banks"),
    ("KO", "The Coca-Cola Company", "NYSE", "Consumer Staples", "Beverages (Production)"),
    ("LLY", "Eli Lilly and Company", "NYSE", "Health Care", "Pharmaceuticals"),
    ("MA", "Mastercard Incorporated", "NYSE", "Finance", "Business Services"),
    ("MCD", "McDonald's Corporation", "NYSE", "Consumer Discretionary", "Restaurants"),
    ("META", "Meta Platforms, Inc.", "NASDAQ", "Technology",
     "Computer Software: Programming, Data Processing"),
    ("MMM", "3M Company", "NYSE", "Industrials", "Industrial Machinery/Components"),
    ("MRK", "Merck & Co., Inc.", "NYSE", "Health Care", "Pharmaceuticals"),
    ("MSFT", "Microsoft Corporation", "NASDAQ", "Technology",
     "Computer Software: Prepackaged Software"),
    ("NFLX", "Netflix, Inc.", "NASDAQ", "Consumer Discretionary",
     "Consumer Electronics/Video Chains"),
    ("NKE", "NIKE, Inc.", "NYSE", "Consumer Discretionary", "Shoe Manufacturing"),
    ("NVDA", "NVIDIA Corporation", "NASDAQ", "Technology", "Semiconductors"),
    ("ORCL", "Oracle Corporation", "NYSE", "Technology", "Computer Software: Prepackaged Software"),
    ("PEP", "PepsiCo, Inc.", "NASDAQ", "Consumer Staples", "Beverages (Production)"),
    ("PFE", "Pfizer Inc.", "NYSE", "Health Care", "Pharmaceuticals"),
    ("PG", "The Procter & Gamble Company", "NYSE", "Consumer Staples",
     "Package Goods/Cosmetics"),
    ("SBUX", "Starbucks Corporation", "NASDAQ", "Consumer Discretionary", "Restaurants"),
    ("T", "AT&T Inc.", "NYSE", "Telecommunications", "Telecommunications Equipment"),
    ("TSLA", "Tesla, Inc.", "NASDAQ", "Consumer Discretionary", "Auto Manufacturing"),
    ("UNH", "UnitedHealth Group Incorporated", "NYSE", "Health Care",
     "Medical Specialities"),
    ("UPS", "United Parcel Service, Inc.", "NYSE", "Industrials", "Trucking Freight/Courier"),
    ("V", "Visa Inc.", "NYSE", "Finance", "Business Services"),
    ("VZ", "Verizon Communications Inc.", "NYSE", "Telecommunications",
     "Telecommunications Equipment"),
    ("WMT", "Walmart Inc.", "NYSE", "Consumer Staples", "Department/Specialty Retail Stores"),
    ("XOM", "Exxon Mobil Corporation", "NYSE", "Energy", "Integrated oil Companies"),
    ("IMO", "Imperial Oil Limited", "NYSE American", "Energy", "Integrated oil Companies"),
    ("SIM", "Grupo Simec, S.A.B. de C.V.", "NYSE American", "Industrials", "Steel/Iron Ore"),
    ("EVI", "EVI Industries, Inc.", "NYSE American", "Industrials",
     "Industrial Machinery/Components"),
)  # fmt: skip

# invented brand names: a head and a tail, "Vel" + "ora" = "Velora"
BRAND_HEADS: tuple[str, ...] = (
    "Ab", "Ambi", "Arc", "Aur", "Bel", "Bris", "Cal", "Cor", "Dax", "Del", "Ely", "Ever",
    "Fen", "Flo", "Gal", "Glim", "Hal", "Ion", "Jun", "Kel", "Kin", "Lum", "Lyr", "Mar",
    "Mer", "Nim", "Nov", "Ob", "Orv", "Pax", "Pel", "Quen", "Quor", "Rav", "Ren", "Sol",
    "Syl", "Tav", "Tor", "Ul", "Vel", "Ver", "Wyn", "Xan", "Yar", "Zel", "Zor",
)  # fmt: skip
BRAND_TAILS: tuple[str, ...] = (
    "a", "ana", "ano", "ara", "ava", "ax", "ea", "ena", "era", "ex", "ia", "ica", "ido",
    "ify", "ik", "ine", "io", "is", "ium", "ix", "o", "ola", "on", "ora", "os", "ova", "um",
    "ura", "us", "yx", "worth", "field", "gate", "wood",
)  # fmt: skip

# invented app names: a word and an ending, "Pixel" + "ly" = "Pixelly"
APP_HEADS: tuple[str, ...] = (
    "Beacon", "Bloom", "Bolt", "Bright", "Cargo", "Cedar", "Cinder", "Cloud", "Comet", "Coral",
    "Dash", "Drift", "Echo", "Ember", "Fable", "Fern", "Flick", "Frost", "Glow", "Harbor",
    "Hive", "Jolt", "Kite", "Lantern", "Lumen", "Maple", "Meadow", "Mint", "Nimbus", "Nova",
    "Orbit", "Pebble", "Pixel", "Prism", "Quill", "Ripple", "Rocket", "Sage", "Spark", "Sprout",
    "Tide", "Trail", "Vault", "Vista", "Willow", "Zephyr",
)  # fmt: skip
APP_TAILS: tuple[str, ...] = (
    "", "", "", "ly", "io", "ify", "Hub", "Flow", "Kit", "Desk", "Lab", "Box", "Pad", "Note",
    "Sync", "Track", "Cast", " Pro", " Go", " Plus",
)  # fmt: skip

SHIRT_SIZES: tuple[tuple[str, int], ...] = (
    ("XS", 8), ("S", 18), ("M", 26), ("L", 24), ("XL", 14), ("2XL", 7), ("3XL", 3),
)  # fmt: skip

PRODUCT_SUBCATEGORIES: tuple[str, ...] = (
    "Accessories", "Audio", "Bakeware", "Bath", "Bedding", "Cameras", "Candy", "Cleaning",
    "Coffee & Tea", "Cookware", "Dental Care", "Desks", "Drinkware", "Fitness", "Footwear",
    "Hair Care", "Headphones", "Kitchen Storage", "Laptops", "Lighting", "Luggage", "Makeup",
    "Networking", "Outerwear", "Paper", "Pet Food", "Phones", "Power Tools", "Printers",
    "Rugs", "Seating", "Skin Care", "Snacks", "Storage", "Tablets", "Vitamins", "Watches",
    "Writing Instruments",
)  # fmt: skip
PRODUCT_FEATURES: tuple[str, ...] = (
    "with a lifetime warranty", "for everyday use", "built to last", "in a compact size",
    "with a soft-touch finish", "that is easy to clean", "for home and office",
    "with a modern look", "designed for comfort", "made from recycled materials",
    "with a non-slip base", "that folds flat for storage", "in a gift box",
    "for indoor and outdoor use", "with adjustable settings", "that is lightweight and durable",
    "with a rechargeable battery", "for travel", "with fast shipping", "in assorted colours",
)  # fmt: skip

MOVIE_GENRES: tuple[str, ...] = (
    "Action", "Adventure", "Animation", "Children", "Comedy", "Crime", "Documentary", "Drama",
    "Fantasy", "Film-Noir", "Horror", "IMAX", "Musical", "Mystery", "Romance", "Sci-Fi",
    "Thriller", "War", "Western",
)  # fmt: skip
MOVIES: tuple[str, ...] = (
    "12 Angry Men", "2001: A Space Odyssey", "Alien", "All About Eve", "Amadeus",
    "Apocalypse Now", "Back to the Future", "Ben-Hur", "Blade Runner", "Breakfast at Tiffany's",
    "Casablanca", "Chinatown", "Citizen Kane", "City Lights", "Dr. Strangelove", "Double Indemnity",
    "E.T. the Extra-Terrestrial", "Fargo", "Gone with the Wind", "Goodfellas", "Groundhog Day",
    "Jaws", "It's a Wonderful Life", "King Kong", "Lawrence of Arabia", "Metropolis",
    "Modern Times", "North by Northwest", "Nosferatu", "On the Waterfront", "Psycho",
    "Raging Bull", "Rear Window", "Rebecca", "Rocky", "Roman Holiday", "Schindler's List",
    "Seven Samurai", "Singin' in the Rain", "Some Like It Hot", "Star Wars", "Sunset Boulevard",
    "Taxi Driver", "The Apartment", "The Big Lebowski", "The General", "The Godfather",
    "The Gold Rush", "The Graduate", "The Great Dictator", "The Maltese Falcon",
    "The Princess Bride", "The Shawshank Redemption", "The Silence of the Lambs",
    "The Sound of Music", "The Third Man", "The Wizard of Oz", "Toy Story", "Vertigo",
    "West Side Story", "Casino Royale", "Spirited Away", "Amélie", "Parasite", "Rashomon",
)  # fmt: skip
