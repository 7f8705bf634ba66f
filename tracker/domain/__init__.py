"""PRINCE2 rules with no database and no user interface: dates, money, scales, scoring,
tolerances, calendars and the validation every input path shares."""
