# correct: whole-line comments between the instructions
# the base image
FROM python:3.13-slim
# the app's folder
WORKDIR /usr/src/app
# the app
COPY . .
# a C compiler for uWSGI
RUN apt-get update \
    && apt-get install -y --no-install-recommends gcc libc6-dev \
    && rm -rf /var/lib/apt/lists/*
# the dependencies
RUN pip install --no-cache-dir -r requirements.txt
# uWSGI's port
EXPOSE 4000
# start the app
CMD ["./bin/run_dev.sh"]
