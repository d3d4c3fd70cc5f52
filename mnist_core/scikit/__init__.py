"""Lesson 7: the same network in scikit-learn, and honest hyperparameter tuning."""
