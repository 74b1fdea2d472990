"""Events and deadlines: the model, input parsing, imports, reminders and their planning."""
