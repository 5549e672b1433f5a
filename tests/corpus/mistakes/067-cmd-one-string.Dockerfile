# mistake: the whole command line in one JSON string, taken as a program name
# source: https://github.com/dedis/cothority/pull/1976
# lesson: lesson7
# expect: cmd-program-exists
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["uwsgi --http-socket 0.0.0.0:4000 --module together.app:app"]
