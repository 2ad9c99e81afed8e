module kruise-py/bench/go/loadgen

go 1.23.0
