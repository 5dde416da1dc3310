"""The read model: every query the CLI (`kpi`), the app (`dashboard`) and the report share.

One small module per subject, each function named for what it returns; nothing here writes.

- `visibility`: which values a reader sees (approved only, or including pending ones).
- `catalog`: the catalog and checks as published with the data.
- `headline`: headline rows, series, statuses and coverage of summed indicators.
- `observations`: current values of one indicator, breakdowns, missions; counts.
- `export`: current values back out in the reporters' template.
- `loads`: the load log and the last successful load.
- `receipts`: what each reporter has sent and how fresh it is.
- `quarter`: revisions and activity around a quarter (the quarterly review).
- `reporting`: timeliness, files waiting in the inbox, rejections not yet replaced.
- `warnings`: acknowledged plausibility warnings on current values.
- `signoff`: values waiting for approval, closed quarters.
- `commentary`: commentary as it stands for a quarter, and its history.
- `audit`: the audit log.
"""
