"""The lecturer's tools: lesson paths, the lessons' real bugs, the live class board."""
