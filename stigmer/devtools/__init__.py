"""Development tooling: checks run by CI and by hand, never imported by the platform."""
