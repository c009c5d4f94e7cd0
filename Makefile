# restora — two commands: `make demo` (set up + restore the bundled example), `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed

.PHONY: setup demo test bench lint clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $(STAMP)

setup: $(STAMP)

demo: $(STAMP)
	$(BIN)/restora synth --example astronaut --seed 7 -o demo_out/astronaut_damaged.png --save-mask demo_out/astronaut_true_mask.png
	$(BIN)/restora restore demo_out/astronaut_damaged.png -o demo_out/restored --report --save-mask
	@echo "restored image and report in demo_out/restored/"

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) demo_out
