# mistake: a shell-form start line with an inline variable, `FLASK_APP=... flask run`
# source: https://github.com/mmumshad/simple-webapp-flask/issues/23
# lesson: lesson7
# expect: cmd-exec-form
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD FLASK_APP=together.app flask run --host=0.0.0.0 --port=4000
