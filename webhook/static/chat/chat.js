/* Web chat client: posts to /chat/messages (Rasa REST-channel shape), renders replies and quick replies,
   restores the conversation from /chat/history after a reload, never loses what the resident typed. */
(function () {
  "use strict";

  var log = document.getElementById("turns");
  var form = document.getElementById("composer");
  var input = document.getElementById("message");
  var sendButton = document.getElementById("send");
  var quick = document.getElementById("quick-replies");
  var typing = document.getElementById("typing");
  var problem = document.getElementById("problem");
  var problemText = document.getElementById("problem-text");
  var retryButton = document.getElementById("retry");
  var locate = document.getElementById("use-location");
  var busy = false;
  var pending = null; // {message, li} of a message the assistant has not answered yet

  function addTurn(speaker, text) {
    var li = document.createElement("li");
    li.className = "turn " + speaker;
    var bubble = document.createElement("p");
    bubble.className = "bubble";
    var who = document.createElement("span");
    who.className = "who";
    who.textContent = speaker === "resident" ? "You said: " : "Assistant: ";
    bubble.appendChild(who);
    bubble.appendChild(document.createTextNode(text));
    li.appendChild(bubble);
    log.appendChild(li);
    li.scrollIntoView({block: "nearest"});
    return li;
  }

  function showQuickReplies(buttons) {
    quick.textContent = "";
    if (!buttons || !buttons.length) { quick.hidden = true; return; }
    buttons.forEach(function (b) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = b.title;
      button.addEventListener("click", function () {
        if (b.type_location) { typeLocation(b.title); } else { send(b.payload, b.title); }
      });
      quick.appendChild(button);
    });
    quick.hidden = false;
  }

  function setBusy(on) {
    busy = on;
    typing.hidden = !on;
    sendButton.disabled = on;
    Array.prototype.forEach.call(quick.querySelectorAll("button"), function (b) { b.disabled = on; });
  }

  function showProblem(text, canRetry) {
    problemText.textContent = text;
    retryButton.hidden = !canRetry;
    problem.hidden = false;
  }

  function clearProblem() {
    problem.hidden = true;
    problemText.textContent = "";
  }

  function markUnsent(li) {
    li.classList.add("unsent");
    if (!li.querySelector(".status")) {
      var status = document.createElement("span");
      status.className = "status";
      status.textContent = "Not answered yet – kept for you.";
      li.querySelector(".bubble").appendChild(status);
    }
  }

  function markAnswered(li) {
    li.classList.remove("unsent");
    var status = li.querySelector(".status");
    if (status) { status.remove(); }
  }

  function renderReplies(messages) {
    var lastButtons = null;
    messages.forEach(function (m) {
      if (m.text) { addTurn("assistant", m.text); }
      if (m.buttons && m.buttons.length) { lastButtons = m.buttons; }
    });
    showQuickReplies(lastButtons);
  }

  function post(message) {
    return fetch("/chat/messages", {
      method: "POST",
      credentials: "same-origin",
      headers: {"Content-Type": "application/json", "Accept": "application/json"},
      body: JSON.stringify({sender: "", message: message})
    });
  }

  function send(message, shown) {
    if (busy || !message.trim()) { return; }
    clearProblem();
    var li = pending && pending.message === message ? pending.li : addTurn("resident", shown || message);
    pending = {message: message, li: li};
    showQuickReplies(null);
    setBusy(true);
    post(message).then(function (resp) {
      return resp.json().catch(function () { return null; }).then(function (body) {
        return {ok: resp.ok, status: resp.status, body: body};
      });
    }).then(function (result) {
      setBusy(false);
      if (result.ok && Array.isArray(result.body)) {
        markAnswered(li);
        pending = null;
        renderReplies(result.body);
        return;
      }
      var text = result.body && result.body.error ? result.body.error : "Something went wrong. Please try again.";
      if (result.status === 503 || result.status >= 500) {
        markUnsent(li);
        showProblem(text, true);
      } else {
        // The message was not accepted as it is: give the words back so nothing is lost.
        li.remove();
        pending = null;
        if (!input.value) { input.value = message; }
        showProblem(text, false);
      }
    }).catch(function () {
      setBusy(false);
      markUnsent(li);
      showProblem("We could not reach the chat. Check your connection and press Try again. " +
                  "If anyone is in danger now, call 999.", true);
    });
  }

  form.addEventListener("submit", function (event) {
    event.preventDefault();
    var text = input.value;
    if (!text.trim()) {
      showProblem("Type a message first.", false);
      input.focus();
      return;
    }
    if (busy) { return; }
    input.value = "";
    send(text);
    input.focus();
  });

  input.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
      event.preventDefault();
      form.requestSubmit ? form.requestSubmit() : form.dispatchEvent(new Event("submit", {cancelable: true}));
    }
  });

  retryButton.addEventListener("click", function () {
    if (pending) { send(pending.message); }
  });

  function loadHistory() {
    fetch("/chat/history", {credentials: "same-origin", headers: {"Accept": "application/json"}})
      .then(function (resp) { return resp.ok ? resp.json() : []; })
      .then(function (turns) {
        var lastButtons = null;
        turns.forEach(function (t) {
          addTurn(t.speaker === "resident" ? "resident" : "assistant", t.text);
          lastButtons = t.speaker === "assistant" ? (t.buttons || null) : null;
        });
        showQuickReplies(lastButtons);
        var last = turns[turns.length - 1];
        if (last && last.speaker === "resident") {
          // The assistant never answered this one (it was unavailable): offer to send it again.
          pending = {message: last.text, li: log.lastElementChild};
          markUnsent(pending.li);
          showProblem("Your last message was not answered yet. Press Try again to send it.", true);
        }
      })
      .catch(function () { /* a new conversation simply starts empty */ });
  }

  /* Photos and recordings: the button opens the file picker; XMLHttpRequest reports upload progress. */
  var attach = document.getElementById("attach");
  var picker = document.getElementById("evidence");
  var progress = document.getElementById("upload-progress");
  var uploadStatus = document.getElementById("upload-status");

  function finishUpload(text, ok) {
    progress.hidden = true;
    attach.disabled = false;
    uploadStatus.textContent = ok ? "Sent." : text;
    if (ok) { addTurn("resident", "[file sent]"); addTurn("assistant", text); }
    picker.value = "";
  }

  function upload(file) {
    var data = new FormData();
    data.append("file", file);
    var xhr = new XMLHttpRequest();
    xhr.open("POST", "/chat/upload");
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.addEventListener("progress", function (event) {
      if (event.lengthComputable) {
        progress.value = Math.round(100 * event.loaded / event.total);
        uploadStatus.textContent = "Sending: " + progress.value + "%";
      }
    });
    xhr.addEventListener("load", function () {
      var body = null;
      try { body = JSON.parse(xhr.responseText); } catch (e) { body = null; }
      if (xhr.status === 200 && body && body.length) { finishUpload(body[0].text, true); return; }
      finishUpload((body && body.error) || "Sorry, the file could not be sent. Please try again.", false);
    });
    xhr.addEventListener("error", function () {
      finishUpload("Sorry, the file could not be sent. Check your connection and try again.", false);
    });
    attach.disabled = true;
    progress.value = 0;
    progress.hidden = false;
    uploadStatus.textContent = "Sending: 0%";
    xhr.send(data);
  }

  attach.addEventListener("click", function () { picker.click(); });
  picker.addEventListener("change", function () {
    if (picker.files && picker.files.length) { upload(picker.files[0]); }
  });
  function typeLocation(said) {
    showQuickReplies(null);
    if (said) { addTurn("resident", said); }
    addTurn("assistant", "Please type the street, a landmark or the postcode.");
    input.focus();
  }

  // "Use my location": the browser asks for the position only when the resident presses the button.
  function useLocation() {
    if (busy) { return; }
    if (!navigator.geolocation) {
      showProblem("Your browser cannot share your location. Please type the street or postcode.", false);
      return;
    }
    clearProblem();
    setBusy(true);
    locate.disabled = true;
    navigator.geolocation.getCurrentPosition(function (pos) {
      addTurn("resident", "Use my location");
      fetch("/chat/location", {
        method: "POST",
        credentials: "same-origin",
        headers: {"Content-Type": "application/json", "Accept": "application/json"},
        body: JSON.stringify({lat: pos.coords.latitude, long: pos.coords.longitude})
      }).then(function (resp) { return resp.json(); }).then(function (body) {
        setBusy(false);
        locate.disabled = false;
        if (!Array.isArray(body)) { throw new Error("bad answer"); }
        renderReplies(body);
        if (body.length && body[0].type_location) { input.focus(); }
      }).catch(function () {
        setBusy(false);
        locate.disabled = false;
        showProblem("We could not look up your location. Please type the street or postcode.", false);
      });
    }, function () {
      setBusy(false);
      locate.disabled = false;
      showProblem("Your location was not shared. Please type the street or postcode.", false);
      input.focus();
    }, {enableHighAccuracy: true, timeout: 15000, maximumAge: 60000});
  }

  if (locate) {
    locate.hidden = !navigator.geolocation;
    locate.addEventListener("click", useLocation);
  }

  loadHistory();
}());
