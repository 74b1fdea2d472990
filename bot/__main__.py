import sys

from bot.dependencies import missing_dependency_line

try:
    from bot.cli import main
except ModuleNotFoundError as error:  # started with a Python that lacks the bot's packages
    line = missing_dependency_line(error, sys.argv[1:])
    if line is None:
        raise
    sys.exit(line)

sys.exit(main())
