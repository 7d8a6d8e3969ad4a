"""Pure rules: identity numbers, enumerations by year, income arithmetic, derived facts."""
