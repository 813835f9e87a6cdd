"""The view vocabulary as the issues define it, written out by hand (not read from the code)."""

LAYERS = [
    "value_community",
    "authoritarian",
    "support_flows",
    "threats",
    "ukraine",
    "events",
    "proposals",
]
DIRECTIONS = ["east", "north", "south", "west"]
DOMAINS = ["cyber", "space", "cognitive"]
BASES = ["stated", "inferred", "external"]
PROJECTIONS = ["robinson", "orthographic", "polar"]
