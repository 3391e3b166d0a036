// Small progressive enhancements only; every page works without this file.
document.addEventListener("htmx:responseError", (event) => {
  const target = event.detail.target;
  if (target) {
    target.insertAdjacentHTML("beforeend", '<p class="msg msg-error" role="alert">操作未完成，请重试。</p>');
  }
});
