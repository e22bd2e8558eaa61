"""Generates the deployment files (compose, kustomize, the variables table) from the services."""
