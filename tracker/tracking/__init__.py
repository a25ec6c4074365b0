"""A tracking run's stages as plain functions: ingest, check, record.

The CLI calls these directly and the Prefect flows call them from tasks, so a
run means the same thing from either face. One module a stage:

- `papers`: sources read, links found, papers stored (`ingest`, `ingest_source`);
- `checker`: one repository's facts gathered from its host and git, then judged (`RepositoryChecker`);
- `pipeline`: many repositories through the checker in looked batches (`check_many`), the only concurrency;
- `recording`: checks committed a batch at a time, "not found" confirmed (`check_and_record`, `confirm_gone`);
- `tally`: what a run checked and what it cost (`RunTally`);
- `artifacts`: the other links and promised code (`check_artifacts_and_record`, `look_for_promised_code`);
- `faults`: which failures are worth a retry, for the flow's retry conditions.

Retries, batching and scheduling belong to the caller (the flow).
"""
