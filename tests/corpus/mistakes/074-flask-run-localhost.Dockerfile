# mistake: flask run without --host: listens on 127.0.0.1:5000 inside the container
# source: https://github.com/tecladocode/rest-apis-flask-python/pull/82
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["flask", "--app", "together.app", "run"]
