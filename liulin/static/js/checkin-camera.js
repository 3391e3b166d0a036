// Check-in page: read the QR code with the phone's camera where the browser can
// (the Barcode Detection API: Chrome on Android, the phones organisers carry), then fill in the
// code and submit the same form a scanner or typing would. Elsewhere the button stays hidden
// and the page works as before.
(function () {
  const button = document.querySelector("[data-camera-scan]");
  const video = document.querySelector("[data-camera-video]");
  const field = document.getElementById("id_code");
  if (!button || !video || !field || !("BarcodeDetector" in window) || !navigator.mediaDevices) {
    return;
  }
  button.hidden = false;
  let stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
      stream = null;
    }
    video.hidden = true;
  }

  button.addEventListener("click", async () => {
    if (stream) {
      stop();
      return;
    }
    try {
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const look = async () => {
        if (!stream) {
          return;
        }
        const found = await detector.detect(video).catch(() => []);
        if (found.length && found[0].rawValue) {
          field.value = found[0].rawValue;
          stop();
          field.form.requestSubmit();
          return;
        }
        window.setTimeout(look, 250);
      };
      look();
    } catch (error) {
      stop();
      button.hidden = true; // no camera or no permission: typing and the scanner still work
    }
  });
})();
