// The frame's behaviour, without inline script (the content security policy allows none):
// irreversible acts ask first, and a form that was sent cannot be sent again while it travels.
"use strict";
document.addEventListener("submit", function (event) {
  var form = event.target;
  var question = form.getAttribute("data-confirm");
  if (question && !window.confirm(question)) {
    event.preventDefault();
    return;
  }
  if (form.method.toLowerCase() === "post") {
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
  }
});
// A class roster's "whole class" box ticks or clears every student of its table.
document.addEventListener("change", function (event) {
  var box = event.target;
  var group = box.getAttribute && box.getAttribute("data-check-all");
  if (!group) {
    return;
  }
  document.querySelectorAll("input[type=checkbox][data-group='" + group + "']").forEach(function (each) {
    each.checked = box.checked;
  });
});
// Charts: a <canvas data-chart="…json…"> becomes a Chart.js chart when the page loads it.
document.addEventListener("DOMContentLoaded", function () {
  if (!window.Chart) {
    return;
  }
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    new window.Chart(canvas, JSON.parse(canvas.getAttribute("data-chart")));
  });
});
