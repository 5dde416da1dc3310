"""`python -m kpi …`: the same as the `kpi` script."""

from kpi.cli import main

raise SystemExit(main())
