"""The consultant desk: working hours, service levels, questions and their owners."""
