"""Where things are, for every test: the repository, its seeds and the shared data beside it."""

from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
SEEDS = REPO / "seeds"
KNOWLEDGE_DIR = SEEDS / "knowledge"
SCENARIOS_DIR = SEEDS / "scenarios"
ARTICLE_PATH = SEEDS / "article.ja.txt"
BASELINE_DIR = REPO / "tests" / "baseline"  # the export's image baselines
SHARED = REPO.parent / "shared"  # the machine's shared data (Natural Earth, plotly topojson)
