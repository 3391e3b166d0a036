// Check-in page: read the QR code with the phone's camera, then fill in the code and submit
// the same form a scanner or typing would.
// Frames are read by the browser's own Barcode Detection API where it has one for QR codes
// (Chrome on Android, the phones most organisers carry); elsewhere (Safari on the iPhone,
// Firefox) by the `qr` decoder from npm (node_modules/qr, docs/decisions.md), each frame drawn
// from the video into a canvas. The decoder is fetched only then, when the camera is opened
// on such a browser, so the page stays light and a phone with the API never downloads it.
// Without a camera, or without permission, the button goes away and the page works as before.
(function () {
  const button = document.querySelector("[data-camera-scan]");
  const video = document.querySelector("[data-camera-video]");
  const field = document.getElementById("id_code");
  if (!button || !video || !field || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
    return;
  }
  const LONGEST_SIDE = 720; // pixels of a frame handed to the decoder: enough for a code held up to the phone
  button.hidden = false;
  let stream = null;

  function stop() {
    if (stream) {
      stream.getTracks().forEach((track) => track.stop());
      stream = null;
    }
    video.hidden = true;
  }

  // A reader takes the video and answers the text of the QR code in its current frame, or "".
  async function nativeReader() {
    if (!("BarcodeDetector" in window)) {
      return null;
    }
    try {
      const formats = await window.BarcodeDetector.getSupportedFormats();
      if (!formats.includes("qr_code")) {
        return null;
      }
      const detector = new window.BarcodeDetector({ formats: ["qr_code"] });
      return async (source) => {
        const found = await detector.detect(source).catch(() => []);
        return found.length && found[0].rawValue ? found[0].rawValue : "";
      };
    } catch (error) {
      return null;
    }
  }

  async function decoderReader() {
    const { decodeQR } = await import(button.dataset.decoder);
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", { willReadFrequently: true });
    return async (source) => {
      const width = source.videoWidth;
      const height = source.videoHeight;
      if (!width || !height) {
        return ""; // no frame yet
      }
      const scale = Math.min(1, LONGEST_SIDE / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(source, 0, 0, canvas.width, canvas.height);
      try {
        return decodeQR(context.getImageData(0, 0, canvas.width, canvas.height));
      } catch (error) {
        return ""; // it throws when this frame holds no readable code: try the next one
      }
    };
  }

  button.addEventListener("click", async () => {
    if (stream) {
      stop();
      return;
    }
    try {
      const read = (await nativeReader()) || (await decoderReader());
      stream = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
      video.srcObject = stream;
      video.hidden = false;
      await video.play();
      const look = async () => {
        if (!stream) {
          return;
        }
        const text = await read(video);
        if (text && stream) {
          field.value = text;
          stop();
          field.form.requestSubmit();
          return;
        }
        window.setTimeout(look, 250);
      };
      look();
    } catch (error) {
      stop();
      button.hidden = true; // no camera, no permission or no decoder: typing and the scanner still work
    }
  });
})();
