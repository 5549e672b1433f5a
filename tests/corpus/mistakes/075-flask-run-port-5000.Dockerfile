# mistake: flask run on 0.0.0.0 but its default port 5000
# source: https://github.com/krishnaik06/Dockers/issues/4
# lesson: lesson7
# expect: app-answers
FROM python:3.13-slim
WORKDIR /usr/src/app
COPY . .
RUN apt-get update && apt-get install -y gcc
RUN pip install --no-cache-dir -r requirements.txt
EXPOSE 4000
CMD ["flask", "--app", "together.app", "run", "--host", "0.0.0.0"]
