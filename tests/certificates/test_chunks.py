"""How a bulk job cuts its certificates: every certificate in exactly one chunk, in order; big
jobs in chunks of 50 (a tenth cheaper each than 25), small ones cut so each process has a share."""

from hypothesis import given, settings
from hypothesis import strategies as st

from app.certificates.tasks import CHUNK, SMALLEST_CHUNK, _chunks


@settings(deadline=None, max_examples=60)
@given(st.integers(0, 1200), st.integers(1, 4))
def test_chunks_cover_the_job_once_in_order(app, count, processes):
    app.config["WORKER_PROCESSES"] = processes
    certificates = list(range(count))
    chunks = _chunks(certificates)
    assert [c for chunk in chunks for c in chunk] == certificates
    assert all(SMALLEST_CHUNK <= len(chunk) <= CHUNK for chunk in chunks[:-1])
    if count >= 2 * processes * CHUNK:
        assert len(chunks[0]) == CHUNK
    elif count > 2 * processes * SMALLEST_CHUNK:  # enough for every process to have two chunks
        assert len(chunks) >= 2 * processes - 1


def test_five_hundred_certificates_on_two_processes_are_ten_chunks_of_fifty(app):
    app.config["WORKER_PROCESSES"] = 2
    assert [len(chunk) for chunk in _chunks(list(range(500)))] == [50] * 10
    assert [len(chunk) for chunk in _chunks(list(range(60)))] == [15] * 4
