"""Seed data shared by `seed_demo`, the benchmark (bench/) and the load test (loadtest/).

`names` is plain data (importable without Django: the load test's locustfile searches for these
names); `people` writes seeded people and their timelines with multi-row INSERTs (COPY on PostgreSQL).
"""
