"""What a call passes, followed across modules: the branch of ``unmarshal()`` that
decodes, and the ``"file"`` branch of ``deserialize()``, each run only for some
arguments."""
from .decode import Watch


async def test_unmarshal(kind: str) -> None:
    watch = Watch()
    watch.unmarshal('{"a": 1}', None)  # never decodes
    watch.unmarshal('{"a": 1}', "float")  # decodes, but not to a file
    watch.unmarshal('{"a": 1}', response_type="V1Pod")
    watch.save("x", block=False)  # flush(force=False): nothing written
    watch.unmarshal('{"a": 1}', "file")  # error: AIO109
    watch.unmarshal('{"a": 1}', kind)  # error: AIO109 (which type: unknown)
    watch.save("x")  # error: AIO109
    watch.relay("x", {"force": True})  # error: AIO109 (flush(**options): unknown)
