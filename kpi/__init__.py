"""The `kpi` command: sits above both the pipeline library (`pipelines`) and the app (`dashboard`).

`pipelines` imports neither this package nor `dashboard`; `kpi report` is the one command that
uses the app's renderer (`dashboard.report`), which is why the command lives here and not in the
library (tests/docs/test_layout.py keeps the direction).
"""
