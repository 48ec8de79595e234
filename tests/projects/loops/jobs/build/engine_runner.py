"""jobs/build is a package, not build output: what it runs counts."""
from jobs.engine import Engine


def main() -> None:
    engine = Engine()
    engine.schedule()
    engine._engine_loop.run_forever()
