"""A plugin author's project in miniature; tests/test_testing_package.py runs it outside this repository."""

collect_ignore = ["test_hello_net.py"]
