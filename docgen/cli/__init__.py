"""The click command line: parse options, call a service, print a result or an error."""
