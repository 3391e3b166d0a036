// Small progressive enhancements only; every page works without this file.
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target) {
    // The message comes translated from the page (base.html, data-htmx-error).
    const message = document.createElement("p");
    message.className = "msg msg-error";
    message.setAttribute("role", "alert");
    message.textContent = document.body.dataset.htmxError || "操作未完成，请重试。";
    target.append(message);
  }
});
