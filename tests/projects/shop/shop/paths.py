"""Where the shop keeps its files."""
from pathlib import Path

DATA = Path(__file__).parent / "data"
NOWHERE = Path("/dev/null")
