// Polls a background job's status and updates the waiting page until the download is ready.
const box = document.getElementById("job");
if (box && !["done", "failed"].includes(box.dataset.status)) {
  const progress = document.getElementById("job-progress");
  const bar = box.querySelector("progress");
  const poll = async () => {
    const response = await fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" } });
    const job = await response.json();
    bar.value = job.percent;
    if (job.status === "done") {
      document.getElementById("job-heading").textContent = "Ready to download";
      progress.textContent = `All ${job.total} done.`;
      document.getElementById("job-download").hidden = false;
      return;
    }
    if (job.status === "failed") {
      document.getElementById("job-heading").textContent = "Something went wrong";
      progress.textContent = job.error;
      document.getElementById("job-retry").hidden = !job.may_retry;
      return;
    }
    progress.textContent = `${job.done} of ${job.total || "…"} done (${job.percent}%). This page updates by itself.`;
    setTimeout(poll, 1500);
  };
  setTimeout(poll, 1000);
}
