// The QwenBase variant; see its issue.
import ZooCore
