"""Static word pools the simulator draws realistic PX records from (no randomness here)."""

from __future__ import annotations

# (display name, ASCII form used in e-mail addresses)
FIRST_NAMES: tuple[tuple[str, str], ...] = (
    ("Anna", "anna"), ("Zoë", "zoe"), ("Łukasz", "lukasz"), ("José", "jose"),
    ("Émilie", "emilie"), ("Søren", "soren"), ("Björn", "bjorn"), ("Ines", "ines"),
    ("Mohammed", "mohammed"), ("Aylin", "aylin"), ("Priya", "priya"), ("Wei", "wei"),
    ("伟", "wei"), ("Hiroshi", "hiroshi"), ("Olga", "olga"), ("Jürgen", "jurgen"),
    ("María", "maria"), ("John", "john"), ("Emily", "emily"), ("Michael", "michael"),
    ("Sarah", "sarah"), ("David", "david"), ("Laura", "laura"), ("James", "james"),
    ("Chloé", "chloe"), ("Noah", "noah"), ("Fatima", "fatima"), ("Liam", "liam"),
    ("Sofia", "sofia"), ("Mateo", "mateo"), ("Ngozi", "ngozi"), ("Kofi", "kofi"),
)

LAST_NAMES: tuple[tuple[str, str], ...] = (
    ("Müller", "mueller"), ("Ünal", "unal"), ("García", "garcia"), ("Nowak", "nowak"),
    ("李", "li"), ("王", "wang"), ("Smith", "smith"), ("O'Brien", "obrien"),
    ("Johnson", "johnson"), ("Dubois", "dubois"), ("Rossi", "rossi"), ("Kowalski", "kowalski"),
    ("Schmidt", "schmidt"), ("Jensen", "jensen"), ("Öztürk", "ozturk"), ("Tanaka", "tanaka"),
    ("Patel", "patel"), ("Nguyen", "nguyen"), ("Silva", "silva"), ("Brown", "brown"),
    ("Ivanova", "ivanova"), ("Fernández", "fernandez"), ("Lefèvre", "lefevre"),
    ("Okafor", "okafor"),
    ("Andersson", "andersson"), ("Kim", "kim"), ("Taylor", "taylor"), ("Weiß", "weiss"),
)

EMAIL_DOMAINS: tuple[str, ...] = (
    "example.com", "example.org", "mail.example.net", "corp.example.de", "example.co.uk",
    "example.fr", "example.io", "example.jp",
)

TITLES: tuple[str, ...] = (
    "Product Manager", "Software Engineer", "Customer Success Manager", "VP Sales",
    "Head of Marketing", "Data Analyst", "CTO", "Support Specialist", "Designer",
    "Account Executive", "Chef de projet", "Geschäftsführer", "Operations Lead", "",
)

ROLES: tuple[str, ...] = ("Admin", "Editor", "Viewer", "Owner", "Analyst", "Billing", "")

COMPANY_PREFIXES: tuple[str, ...] = (
    "Acme", "Globex", "Initech", "Umbrella", "Stark", "Wayne", "Hooli", "Vandelay", "Tyrell",
    "Cyberdyne", "Soylent", "Gringotts", "Müller", "Société", "Nordlicht", "Æther", "Škoda",
    "Blue Harbor", "Red Maple", "Silverline", "Quantum", "Pinnacle", "Evergreen", "Bright",
    "Northwind", "Contoso", "Fabrikam", "Tailspin", "Litware", "Adventure", "Zürich", "Kyōto",
)

COMPANY_CORES: tuple[str, ...] = (
    "Logistics", "Analytics", "Systems", "Solutions", "Software", "Health", "Foods", "Energy",
    "Robotics", "Media", "Finance", "Labs", "Dynamics", "Networks", "Logistik", "Générale",
)

COMPANY_SUFFIXES: tuple[str, ...] = (
    "Inc.", "GmbH", "Ltd", "S.A.", "LLC", "AG", "SAS", "B.V.", "Corp.", "K.K.", "Oy", "",
)

# (industry, SIC code, NAICS code)
INDUSTRIES: tuple[tuple[str, str, str], ...] = (
    ("Software", "7372", "511210"), ("Financial Services", "6211", "523110"),
    ("Healthcare", "8062", "622110"), ("Retail", "5311", "452210"),
    ("Manufacturing", "3559", "333249"), ("Education", "8221", "611310"),
    ("Media", "4833", "515120"), ("Logistics", "4731", "488510"),
    ("Energy", "4911", "221112"), ("Telecommunications", "4813", "517311"),
)

ACCOUNT_PLANS: tuple[str, ...] = ("Enterprise", "Business", "Starter", "Trial", "Free")

USER_PLANS: tuple[str, ...] = ("free", "bronze", "silver", "gold", "platinum")

DEPARTMENTS: tuple[str, ...] = (
    "Engineering", "Sales", "Marketing", "Support", "Finance", "HR", "Operations", "R&D",
)

TIERS: tuple[str, ...] = ("Tier 1", "Tier 2", "Tier 3", "Strategic")

SALES_REGIONS: tuple[str, ...] = ("AMER", "EMEA", "APAC", "LATAM")

CSM_NAMES: tuple[str, ...] = (
    "Dana Scully", "Fox Mulder", "Renée Lambert", "Kenji Sato", "Paula Nowak", "",
)

USER_TYPES: tuple[str, ...] = ("USER",) * 12 + ("LEAD", "LEAD", "VISITOR", "EMPTY_USER_TYPE")

GENDERS: tuple[str, ...] = ("MALE", "FEMALE", "FEMALE", "MALE", "OTHER", "EMPTY_GENDER")

# (city, stateName, stateCode, countryName, countryCode, continent, regionName, timeZone,
#  latitude, longitude, postalCode)
LocationRow = tuple[str, str, str, str, str, str, str, str, float, float, str]
LOCATIONS: tuple[LocationRow, ...] = (
    ("Berlin", "Berlin", "BE", "Germany", "DE", "Europe", "Berlin", "Europe/Berlin",
     52.52, 13.405, "10115"),
    ("München", "Bayern", "BY", "Germany", "DE", "Europe", "Bavaria", "Europe/Berlin",
     48.137, 11.575, "80331"),
    ("San Francisco", "California", "CA", "United States", "US", "North America", "California",
     "America/Los_Angeles", 37.7749, -122.4194, "94105"),
    ("New York", "New York", "NY", "United States", "US", "North America", "New York",
     "America/New_York", 40.7128, -74.006, "10001"),
    ("Kraków", "Lesser Poland", "MA", "Poland", "PL", "Europe", "Lesser Poland",
     "Europe/Warsaw", 50.0647, 19.945, "30-001"),
    ("São Paulo", "São Paulo", "SP", "Brazil", "BR", "South America", "São Paulo",
     "America/Sao_Paulo", -23.5505, -46.6333, "01000-000"),
    ("İstanbul", "İstanbul", "34", "Turkey", "TR", "Asia", "Istanbul", "Europe/Istanbul",
     41.0082, 28.9784, "34000"),
    ("北京", "Beijing", "BJ", "China", "CN", "Asia", "Beijing", "Asia/Shanghai",
     39.9042, 116.4074, "100000"),
    ("London", "England", "ENG", "United Kingdom", "GB", "Europe", "England", "Europe/London",
     51.5074, -0.1278, "EC1A 1BB"),
    ("Paris", "Île-de-France", "IDF", "France", "FR", "Europe", "Île-de-France",
     "Europe/Paris", 48.8566, 2.3522, "75001"),
    ("Tokyo", "Tokyo", "13", "Japan", "JP", "Asia", "Tokyo", "Asia/Tokyo",
     35.6762, 139.6503, "100-0001"),
    ("Sydney", "New South Wales", "NSW", "Australia", "AU", "Oceania", "New South Wales",
     "Australia/Sydney", -33.8688, 151.2093, "2000"),
    ("", "", "", "", "", "", "", "", 0.0, 0.0, ""),
)

USER_AGENTS: tuple[tuple[str, str, str, str, str, str], ...] = (
    ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
     "Chrome/120.0.0.0 Safari/537.36", "DESKTOP", "WINDOWS", "10", "CHROME", "120.0.0.0"),
    ("Mozilla/5.0 (Macintosh; Intel Mac OS X 14_2) AppleWebKit/605.1.15 (KHTML, like Gecko) "
     "Version/17.2 Safari/605.1.15", "DESKTOP", "MAC_OS", "14.2", "SAFARI", "17.2"),
    ("Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
     "DESKTOP", "LINUX", "", "FIREFOX", "121.0"),
    ("Mozilla/5.0 (iPhone; CPU iPhone OS 17_2 like Mac OS X) AppleWebKit/605.1.15 "
     "(KHTML, like Gecko) Version/17.2 Mobile/15E148 Safari/604.1",
     "MOBILE", "IOS", "17.2", "MOBILE_SAFARI", "17.2"),
)
