# mistake: the server bound to 127.0.0.1 in its own command line
# source: https://prodopsy.com/?p=2169
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["uwsgi", "--http-socket", "127.0.0.1:4000", "--module", "together.app:app"]
