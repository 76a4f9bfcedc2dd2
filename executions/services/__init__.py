"""Writes, as plain functions named <entity>_<action>; surfaces only call these."""
