# Commands documented in README.rst.
.PHONY: test lint readme demo simulator benchmark

test:
	bash .ci/test.sh

# the static checks of make test alone (XML, pylint-odoo, ruff, OCA's pylint set)
lint:
	bash .ci/test.sh static

# README.rst from the manifest and readme/*.md
readme:
	python3 .ci/readme.py

demo:
	bash .ci/demo.sh

simulator:
	python3 -m procountor_simulator --port 8070

# make benchmark NAME=<benchmark tag suffix>, e.g. NAME=partner_import
benchmark:
	bash .ci/odoo-tests.sh procountor_benchmark_$(NAME)
