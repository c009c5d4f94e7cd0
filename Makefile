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

# The demo: scikit-image's CC0 "camera" photo aged into a sepia print with scratches, dust and
# grain (demo_out/camera_damaged.png, true damage in camera_true_mask.png), restored keeping its
# tone (demo_out/restored/: image, detected mask, report .png + .json), and a colorized variant
# (demo_out/colorized/, --colorize: colours are restora's guess). Every run makes them afresh.
demo: $(STAMP)
	$(BIN)/restora synth --example camera --seed 7 -o demo_out/camera_damaged.png --save-mask demo_out/camera_true_mask.png --overwrite
	$(BIN)/restora restore demo_out/camera_damaged.png -o demo_out/restored --report --save-mask --overwrite
	$(BIN)/restora restore demo_out/camera_damaged.png -o demo_out/colorized --report --colorize --overwrite
	@echo "restored photo and report in demo_out/restored/, colorized variant in demo_out/colorized/"

test: $(STAMP)
	$(BIN)/python -m pytest -q -p no:cacheprovider

lint: $(STAMP)
	$(BIN)/ruff check src tests benchmarks

clean:
	rm -rf $(VENV) demo_out
