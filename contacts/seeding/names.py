"""Names, companies, titles and area codes that seeded people are made of.

Plain data with no imports, so tools that do not set Django up (the load test's locustfile)
can search for the names the seeders used.
"""

FIRST_NAMES = (
    "Avery Blake Carmen Diego Elena Farah Gabriel Hana Isaac Jamal Keiko Liam Maya Nadia Omar Priya Quinn Rosa "
    "Santiago Tara Umar Vera Wes Ximena Yusuf Zoe Aaron Bianca Connor Daria Emeka Freya Gus Helena Ivan Jun "
    "Kofi Lena Mateo Noor"
).split()
LAST_NAMES = (
    "Abbott Banerjee Castillo Dubois Eriksen Fischer Garcia Haddad Ito Jensen Kowalski Lindqvist Moreau Nakamura "
    "Okonkwo Petrov Quintero Rossi Schmidt Tanaka Ueda Varga Walsh Xu Yilmaz Zhang Alvarez Brennan Chen Duarte"
).split()
# (company, email domain)
COMPANIES = [
    ("Northwind Traders", "northwind.example"),
    ("Bluebird Logistics", "bluebird.example"),
    ("Cedar & Pine Realty", "cedarpine.example"),
    ("Harbor Health", "harborhealth.example"),
    ("Lumen Analytics", "lumen.example"),
    ("Granite Construction Co.", "granite.example"),
    ("Orchard Foods", "orchard.example"),
    ("Summit Legal", "summitlegal.example"),
    ("Tidewater Capital", "tidewater.example"),
    ("Redwood Schools", "redwood.example"),
    ("Kite Design Studio", "kite.example"),
    ("Meridian Travel", "meridian.example"),
    ("Sparrow Software", "sparrow.example"),
    ("Atlas Manufacturing", "atlas.example"),
    ("Willow Dental", "willow.example"),
    ("", ""),  # some people have no company
]
TITLES = [
    "CEO",
    "CFO",
    "Head of Operations",
    "Office Manager",
    "Account Executive",
    "Purchasing Lead",
    "VP Sales",
    "Founder",
    "Procurement Specialist",
    "Marketing Director",
    "Broker",
    "Engineer",
    "",
]
AREA_CODES = ["212", "312", "415", "503", "617", "702", "808"]
