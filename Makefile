# Commands documented in README.rst.
.PHONY: test demo simulator

test:
	bash .ci/test.sh

demo:
	bash .ci/demo.sh

simulator:
	python3 -m procountor_simulator --port 8070
