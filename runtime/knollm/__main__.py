"""`python -m knollm`: the Knollm command line."""

from .cli import main

raise SystemExit(main())
