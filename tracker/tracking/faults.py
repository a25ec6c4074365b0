"""Which failures are worth another attempt: the flow's retry conditions, judged on a task's final state."""

from __future__ import annotations


def source_fault_or_transient(state: object) -> bool:
    """Whether a failed source is worth reading again: its service faulted, or the database did."""
    from tracker.sources.read import SourceFault

    failure = state.result(raise_on_failure=False)  # type: ignore[attr-defined]
    return isinstance(failure, SourceFault) or is_transient(state)


def is_transient(state: object) -> bool:
    """Whether a failed batch is worth retrying: faults of the network or the database, not of the code.

    Per-repository network faults never fail a batch (they are recorded as
    `unreachable`); what reaches here is the store being unavailable or locked.
    """
    import sqlalchemy.exc

    try:
        state.result()  # type: ignore[attr-defined]
    except (sqlalchemy.exc.OperationalError, sqlalchemy.exc.InterfaceError, ConnectionError, TimeoutError):
        return True
    except Exception:
        return False
    return False
