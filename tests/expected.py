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
# the modality filter's levels, most certain first (recommendations pass with projections)
MODALITY_LEVELS = ["asserted", "assessed", "projected"]
MODALITIES = ["asserted", "assessed", "projected", "recommended"]
PROJECTIONS = ["robinson", "orthographic", "polar"]
