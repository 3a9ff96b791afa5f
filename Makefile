# Commands documented in README.rst.
.PHONY: test demo simulator benchmark

test:
	bash .ci/test.sh

demo:
	bash .ci/demo.sh

simulator:
	python3 -m procountor_simulator --port 8070

# make benchmark NAME=<benchmark tag suffix>, e.g. NAME=partner_import
benchmark:
	bash .ci/odoo-tests.sh procountor_benchmark_$(NAME)
