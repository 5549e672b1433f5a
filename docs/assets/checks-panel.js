/* The check panel of each lesson page (checks/serve_pages.py, `checks serve`).

   Served by `checks serve` (it set the checks_serve cookie to its port), the panel grades the
   lesson in the learner's workspace: "Check my work" streams the grading's status, then shows each
   check as `checks lessonN` does; hints escalate as `checks hint` does; "Re-check on save" grades
   again when a file of the workspace is saved; the navigation and the home page mark the lessons
   passed. Anywhere else (the published site, a file:// page) it says which command to run and how
   to start `checks serve`: no button that cannot work. Text from the server is only ever set as
   text (never as HTML). */
(function () {
  "use strict";

  var API = "/_checks/api/";
  var RECHECK_KEY = "checks-recheck-on-save";

  function make(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined && text !== null) node.textContent = text;
    return node;
  }

  function code(text) {
    return make("code", null, text);
  }

  /* Text with `code` in backticks, as lesson.toml and the checks' messages write it: code as code. */
  function rich(tag, className, text) {
    var node = make(tag, className);
    String(text)
      .split("`")
      .forEach(function (part, index) {
        if (part) node.appendChild(index % 2 ? code(part) : document.createTextNode(part));
      });
    return node;
  }

  function para(parts, className) {
    var p = make("p", className);
    parts.forEach(function (part) {
      p.appendChild(typeof part === "string" ? document.createTextNode(part) : part);
    });
    return p;
  }

  function lessonOfPage() {
    var match = location.pathname.match(/\/lessons\/(lesson\d+)(?:\.html|\/(?:index\.html)?)?$/);
    return match ? match[1] : null;
  }

  function lessonOfLink(link) {
    if (!link.href || (link.getAttribute("href") || "").charAt(0) === "#") return null;
    var match = link.href.match(/\/lessons\/(lesson\d+)(?:\.html|\/(?:index\.html)?)?$/);
    return match ? match[1] : null;
  }

  function servedHere() {
    if (location.protocol !== "http:") return false;
    return document.cookie.split(";").some(function (item) {
      var pair = item.trim().split("=");
      return pair[0] === "checks_serve" && pair[1] === location.port;
    });
  }

  /* Where the panel goes: under the lesson's "Check your work" heading, else at the end of the page. */
  function placePanel(panel) {
    var heading = document.getElementById("check-your-work");
    var article = document.querySelector("article.md-content__inner") || document.querySelector("article");
    if (heading && heading.parentNode) {
      heading.parentNode.insertBefore(panel, heading.nextSibling);
    } else if (article) {
      article.appendChild(panel);
    }
  }

  function newPanel(lesson) {
    var panel = make("section", "checks-panel");
    panel.setAttribute("aria-labelledby", "checks-panel-title");
    panel.dataset.lesson = lesson;
    panel.appendChild(make("h3", "checks-panel__title", "Check my work")).id = "checks-panel-title";
    return panel;
  }

  /* No server here: the command to run, and how to let the page grade. */
  function staticPanel(lesson, why) {
    var panel = newPanel(lesson);
    panel.classList.add("checks-panel--static");
    panel.appendChild(para(["In a terminal, in your workspace, run ", code("checks " + lesson), "."]));
    panel.appendChild(
      para([
        "Or let this page grade your work: run ",
        code("checks serve"),
        " in your workspace and open the address it prints. A Check my work button then appears here.",
      ])
    );
    if (why) panel.appendChild(para([why], "checks-panel__note"));
    placePanel(panel);
    return panel;
  }

  function markProgress(progress) {
    var links = document.querySelectorAll(".md-nav a.md-nav__link, .md-typeset table a");
    Array.prototype.forEach.call(links, function (link) {
      var lesson = lessonOfLink(link);
      var old = link.querySelector(".checks-passed-mark");
      if (old) old.remove();
      link.classList.remove("checks-passed");
      if (lesson && progress[lesson] === "passed") {
        link.classList.add("checks-passed");
        var mark = make("span", "checks-passed-mark", " ✓");
        mark.setAttribute("aria-hidden", "true");
        var said = make("span", "checks-sr-only", " (passed in your workspace)");
        var both = make("span", "checks-passed-mark");
        both.appendChild(mark);
        both.appendChild(said);
        link.appendChild(both);
      }
    });
  }

  function getJSON(path, options) {
    return fetch(API + path, Object.assign({ credentials: "same-origin", cache: "no-store" }, options || {})).then(
      function (response) {
        if (!response.ok) {
          var problem = new Error("HTTP " + response.status);
          problem.status = response.status;
          throw problem;
        }
        return response.json();
      }
    );
  }

  function postJSON(path, body, signal) {
    return fetch(API + path, {
      method: "POST",
      credentials: "same-origin",
      cache: "no-store",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify(body || {}),
      signal: signal,
    });
  }

  /* -- the verdict, as `checks lessonN` prints it ------------------------------------------------ */

  var WORDS = { passed: "passed", failed: "failed", warning: "warning", skipped: "skipped", error: "error" };

  function markOf(status, mark) {
    var node = make("span", "checks-mark checks-mark--" + status, mark);
    node.setAttribute("role", "img");
    node.setAttribute("aria-label", WORDS[status] || status);
    return node;
  }

  function resultItem(check) {
    var item = make("li", "checks-result checks-result--" + check.status);
    var head = make("p", "checks-result__head");
    head.appendChild(markOf(check.status, check.mark));
    head.appendChild(document.createTextNode(" " + check.title));
    if (check.status === "passed" && check.message) head.appendChild(make("span", "checks-dim", " (" + check.message + ")"));
    if (check.status !== "passed") head.appendChild(make("span", "checks-dim", " [" + check.id + "]"));
    item.appendChild(head);
    if (check.status === "skipped" && check.message) {
      item.appendChild(make("p", "checks-dim", "skipped: " + check.message));
    }
    if (check.status === "passed" || check.status === "skipped") return item;
    if (check.file) {
      var where = check.file + (check.line ? ":" + check.line : "");
      var at = make("p", "checks-result__where");
      at.appendChild(code(where));
      item.appendChild(at);
      if (check.quote) {
        var pre = make("pre", "checks-result__quote");
        pre.appendChild(code(check.quote));
        item.appendChild(pre);
      }
    }
    if (check.message) item.appendChild(rich("p", "checks-result__message", check.message));
    var details = make("dl", "checks-result__details");
    [
      ["Why", check.why],
      ["Fix", check.hint],
    ].forEach(function (pair) {
      if (!pair[1]) return;
      details.appendChild(make("dt", null, pair[0]));
      details.appendChild(rich("dd", null, pair[1]));
    });
    if (check.docs) {
      details.appendChild(make("dt", null, "Read"));
      var dd = make("dd");
      var link = make("a", null, "the part of the lesson that explains it");
      link.href = check.docs;
      dd.appendChild(link);
      details.appendChild(dd);
    }
    if (details.childNodes.length) item.appendChild(details);
    return item;
  }

  function lessonLink(lesson, text) {
    var link = make("a", null, text || "lesson " + lesson.number + ", " + lesson.title);
    link.href = lesson.url;
    return link;
  }

  function renderVerdict(box, verdict) {
    box.textContent = "";
    var heading = make("p", "checks-verdict " + (verdict.passed ? "checks-verdict--passed" : "checks-verdict--failed"));
    heading.appendChild(make("strong", null, "Lesson " + verdict.number + (verdict.passed ? " passed" : " not passed")));
    heading.appendChild(document.createTextNode(" (" + verdict.counts + ")"));
    if (verdict.earlier.length) {
      var earlier = make("ul", "checks-earlier");
      verdict.earlier.forEach(function (before) {
        var item = make("li", "checks-result checks-result--" + before.state);
        var head = make("p", "checks-result__head");
        head.appendChild(markOf(before.state, before.mark));
        head.appendChild(document.createTextNode(" "));
        head.appendChild(lessonLink(before, "Lesson " + before.number + " (" + before.title + ")"));
        head.appendChild(document.createTextNode(": " + before.summary));
        item.appendChild(head);
        if (before.results.length) {
          var inner = make("ul", "checks-results");
          before.results.forEach(function (check) {
            inner.appendChild(resultItem(check));
          });
          item.appendChild(inner);
        }
        earlier.appendChild(item);
      });
      box.appendChild(earlier);
    }
    var list = make("ul", "checks-results");
    verdict.results.forEach(function (check) {
      list.appendChild(resultItem(check));
    });
    box.appendChild(list);
    box.appendChild(heading);
    if (verdict.passed) {
      box.appendChild(
        verdict.next
          ? para(["Next: ", lessonLink(verdict.next), "."], "checks-next")
          : para(["You have finished every lesson. Well done!"], "checks-next")
      );
    } else if (verdict.first_failed) {
      box.appendChild(
        para(
          ["Next: this is lesson " + verdict.first_failed.number + "'s step: fix it with ", lessonLink(verdict.first_failed), "."],
          "checks-next"
        )
      );
    } else {
      box.appendChild(para(["Next: fix what is marked ✗ above, then check again."], "checks-next"));
    }
  }

  /* -- the live panel ---------------------------------------------------------------------------- */

  function livePanel(lesson, hello) {
    var panel = newPanel(lesson);
    panel.classList.add("checks-panel--live");
    panel.appendChild(
      para(["Grades this lesson in ", code(hello.workspace), ", as ", code("checks " + lesson), " does in a terminal."])
    );

    var form = make("form", "checks-panel__form");
    var answer = null;
    if (hello.question) {
      var label = make("label", "checks-panel__question", hello.question.text);
      label.htmlFor = "checks-answer";
      answer = make("input", "checks-panel__answer");
      answer.id = "checks-answer";
      answer.name = "answer";
      answer.type = "text";
      answer.autocomplete = "off";
      answer.placeholder = hello.question.kind;
      form.appendChild(label);
      form.appendChild(answer);
    }
    var button = make("button", "md-button md-button--primary checks-panel__check", "Check my work");
    button.type = "submit";
    form.appendChild(button);
    var recheck = make("label", "checks-panel__recheck");
    var box = make("input");
    box.type = "checkbox";
    box.id = "checks-recheck";
    recheck.appendChild(box);
    recheck.appendChild(document.createTextNode(" Re-check on save"));
    form.appendChild(recheck);
    panel.appendChild(form);

    var state = make("p", "checks-panel__status");
    state.setAttribute("role", "status");
    panel.appendChild(state);
    var live = make("div", "checks-panel__result");
    live.setAttribute("aria-live", "polite");
    live.id = "checks-result";
    panel.appendChild(live);

    var hintBox = make("div", "checks-panel__hints");
    var hintList = make("ol", "checks-hints");
    var hintButton = make("button", "md-button checks-panel__hint", "Show a hint");
    hintButton.type = "button";
    var solution = make("div", "checks-solution");
    hintBox.appendChild(hintList);
    hintBox.appendChild(solution);
    hintBox.appendChild(hintButton);
    hintBox.setAttribute("aria-live", "polite");
    panel.appendChild(hintBox);
    placePanel(panel);

    var grading = false;
    var again = false; /* a file was saved during the grading: grade again once it has stopped */
    var retries = 0; /* 409s met while the stopped grading is being cleaned up */
    var controller = null;
    var clock = null;

    function say(text) {
      state.textContent = text;
    }

    /* the grading's status with the time since the click, as the terminal's status line */
    function tick(started) {
      var seconds = Math.floor((performance.now() - started) / 1000);
      if (state.dataset.text) say(state.dataset.text.replace(/\s+\d+s$/, "") + "  " + seconds + "s");
    }

    function showHints(data) {
      hintList.textContent = "";
      data.hints.forEach(function (hint, index) {
        hintList.appendChild(rich("li", null, "Hint " + (index + 1) + " of " + data.total + ": " + hint));
      });
      solution.textContent = "";
      if (data.solution) {
        solution.appendChild(make("p", null, "The solution (" + data.solution.name + "):"));
        var pre = make("pre");
        pre.appendChild(code(data.solution.text));
        solution.appendChild(pre);
        hintButton.hidden = true;
      } else {
        hintButton.textContent = data.hints.length < data.total ? (data.hints.length ? "Show another hint" : "Show a hint") : "Show the solution";
      }
    }

    getJSON("hints/" + lesson).then(showHints, function () {});
    hintButton.addEventListener("click", function () {
      postJSON("hints/" + lesson).then(function (response) {
        return response.ok ? response.json().then(showHints) : say("The hints could not be read (HTTP " + response.status + ").");
      });
    });

    function refreshProgress() {
      getJSON("hello").then(function (data) {
        markProgress(data.progress);
      }, function () {});
    }

    function handle(event, started, checked) {
      if (event.type === "status" || event.type === "phase") {
        var text = event.type === "status" ? event.text : event.phase === "cleaning up" ? "cleaning up" : "grading " + event.text;
        state.dataset.text = text;
        tick(started); /* at once: a cached build's steps pass faster than the clock ticks */
      } else if (event.type === "check") {
        checked.appendChild(resultItem(event.check));
        state.dataset.text = "checked: " + event.check.title;
      } else if (event.type === "done") {
        renderVerdict(live, event);
        live.dataset.lesson = event.id;
        live.dataset.passed = event.passed ? "yes" : "no";
        state.dataset.text = "";
        say("Graded in " + ((performance.now() - started) / 1000).toFixed(1) + " s.");
        refreshProgress();
      } else if (event.type === "error" || event.type === "stopped") {
        live.textContent = "";
        live.appendChild(make("p", "checks-verdict checks-verdict--failed", event.text));
      }
    }

    function check() {
      if (grading) {
        /* a save during a grading: that verdict would be about files that changed. Stop it (the server
           cleans up, as Ctrl-C does) and grade the saved files, as `checks watch` does */
        again = true;
        if (controller) controller.abort();
        return;
      }
      grading = true;
      var asked = again;
      again = false;
      controller = typeof AbortController === "function" ? new AbortController() : null;
      button.disabled = true;
      button.setAttribute("aria-busy", "true");
      var started = performance.now();
      live.textContent = "";
      delete live.dataset.passed;
      var checked = make("ul", "checks-results checks-results--running");
      live.appendChild(checked);
      state.dataset.text = "starting";
      say("starting");
      clock = setInterval(function () {
        tick(started);
      }, 250);
      var body = { answer: answer ? answer.value : null };
      postJSON("grade/" + lesson, body, controller ? controller.signal : undefined)
        .then(function (response) {
          if (response.status === 409) {
            return response.json().then(function (data) {
              if (asked && retries < 40) {
                /* the stopped grading is still cleaning up: ask again shortly (at most 40 times, 10 s) */
                retries += 1;
                again = true;
                return new Promise(function (done) {
                  setTimeout(done, 250);
                });
              }
              say(data.error);
            });
          }
          retries = 0;
          if (!response.ok) {
            say("The server refused to grade (HTTP " + response.status + "): reload the page from the address `checks serve` printed.");
            return;
          }
          var reader = response.body.getReader();
          var decoder = new TextDecoder();
          var buffer = "";
          function pump() {
            return reader.read().then(function (chunk) {
              if (chunk.done) return;
              buffer += decoder.decode(chunk.value, { stream: true });
              var blocks = buffer.split("\n\n");
              buffer = blocks.pop();
              blocks.forEach(function (block) {
                block.split("\n").forEach(function (line) {
                  if (line.indexOf("data: ") === 0) handle(JSON.parse(line.slice(6)), started, checked);
                });
              });
              return pump();
            });
          }
          return pump();
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") {
            say("A file was saved: grading again.");
            return;
          }
          say("checks serve is not answering: is it still running? Start it again in your workspace with `checks serve`.");
        })
        .then(function () {
          clearInterval(clock);
          grading = false;
          button.disabled = false;
          button.removeAttribute("aria-busy");
          if (again) check();
        });
    }

    form.addEventListener("submit", function (event) {
      event.preventDefault();
      check();
    });

    var changes = null;
    function watchSaves(on) {
      try {
        localStorage.setItem(RECHECK_KEY, on ? "1" : "");
      } catch (e) {
        /* no storage: the box is unticked on the next page */
      }
      if (changes) {
        changes.close();
        changes = null;
      }
      if (!on) return;
      changes = new EventSource(API + "changes");
      changes.onmessage = function (message) {
        var event = JSON.parse(message.data);
        if (event.type === "saved") check();
      };
    }
    box.addEventListener("change", function () {
      watchSaves(box.checked);
    });
    var remembered = false;
    try {
      remembered = localStorage.getItem(RECHECK_KEY) === "1";
    } catch (e) {
      remembered = false;
    }
    if (remembered) {
      box.checked = true;
      watchSaves(true);
    }
    if (hello.busy) say("A grading of " + hello.busy + " is running in this workspace.");
    return panel;
  }

  function start() {
    var lesson = lessonOfPage();
    if (!servedHere()) {
      if (lesson) staticPanel(lesson);
      return;
    }
    getJSON("hello" + (lesson ? "?lesson=" + lesson : "")).then(
      function (hello) {
        markProgress(hello.progress);
        if (lesson) livePanel(lesson, hello);
      },
      function (problem) {
        if (!lesson) return;
        staticPanel(
          lesson,
          problem.status === 403
            ? "This page was opened without this run's token: open the address that `checks serve` printed."
            : "`checks serve` is not answering: start it again in your workspace."
        );
      }
    );
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
