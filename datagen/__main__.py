"""`python -m datagen`: see datagen.cli."""

from __future__ import annotations

from datagen.cli import main

raise SystemExit(main())
