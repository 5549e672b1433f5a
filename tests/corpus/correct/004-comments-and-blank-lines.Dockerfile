# correct: a comment above each step, blank lines between
# source: https://github.com/hjwp/Book-TDD-Web-Dev-Python/pull/324
# lesson: lesson7
# the official slim Python image
FROM python:3.13-slim

# the app's own folder
WORKDIR /usr/src/app

# the whole app
COPY . .

# a C compiler and headers to build uWSGI
RUN apt-get update && apt-get install -y --no-install-recommends gcc libc6-dev && rm -rf /var/lib/apt/lists/*

# the app's dependencies
RUN pip install --no-cache-dir -r requirements.txt

# the app's port
EXPOSE 4000

# start the app
CMD ["./bin/run_dev.sh"]
