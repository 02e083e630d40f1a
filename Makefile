# The two commands of the README. Both install whatever is missing into .venv first.
.PHONY: demo test bootstrap bench

bootstrap:
	@bash scripts/bootstrap.sh

# The main job on the bundled corpus: store, extraction, themes, report (out/).
demo: bootstrap
	.venv/bin/ics-text run corpus --db ics-text.db --report out

test: bootstrap
	.venv/bin/python -m pytest -q $(PYTEST_ARGS)

bench: bootstrap
	.venv/bin/python benchmarks/quality.py
	.venv/bin/python benchmarks/speed.py
	.venv/bin/python benchmarks/agreement.py
	.venv/bin/python benchmarks/themes.py  # tunes a model patch per fold: about an hour on 2 cores
	.venv/bin/python benchmarks/themes_speed.py
